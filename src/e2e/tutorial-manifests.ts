// The manifests of the tutorial (../shared/seed), verbatim, for the end-to-end tests.

export const backendDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend-app
  labels:
    app: backend
spec:
  replicas: 3
  selector:
    matchLabels:
      app: backend
  template:
    metadata:
      labels:
        app: backend
    spec:
      containers:
      - name: nginx
        image: nginx:1.26-alpine
        ports:
        - containerPort: 80
        resources:
          requests:
            memory: "32Mi"
            cpu: "50m"
`;

export const backendService = `apiVersion: v1
kind: Service
metadata:
  name: backend-service
spec:
  type: ClusterIP  # デフォルトなので省略可能
  selector:
    app: backend   # app=backendラベルを持つPodを対象
  ports:
  - name: http
    protocol: TCP
    port: 80       # Serviceが受け付けるポート
    targetPort: 80 # Pod内のコンテナポート
`;

export const customPortService = `apiVersion: v1
kind: Service
metadata:
  name: custom-port-service
spec:
  selector:
    app: backend
  ports:
  - name: http
    protocol: TCP
    port: 8080        # Service側のポート（クライアントはこのポートにアクセス）
    targetPort: 80    # Pod側のポート（nginxは80番で待機）
`;

export const webNodePort = `apiVersion: v1
kind: Service
metadata:
  name: web-nodeport
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - name: http
    protocol: TCP
    port: 80          # ClusterIP側のポート
    targetPort: 80    # Pod側のポート
    nodePort: 30080   # ノード側のポート（省略可能）
`;

/** The tutorial's "これはエラーになる" example, as a whole Service. */
export const badNodePort = `apiVersion: v1
kind: Service
metadata:
  name: bad-nodeport
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    nodePort: 8080  # NG! 30000未満
`;

export const webLoadBalancer = `apiVersion: v1
kind: Service
metadata:
  name: web-loadbalancer
spec:
  type: LoadBalancer
  selector:
    app: web
  ports:
  - name: http
    protocol: TCP
    port: 80
    targetPort: 80
  - name: https
    protocol: TCP
    port: 443
    targetPort: 443
`;

export const productionLoadBalancer = `apiVersion: v1
kind: Service
metadata:
  name: production-web
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-type: "nlb"
    service.beta.kubernetes.io/aws-load-balancer-backend-protocol: "http"
    service.beta.kubernetes.io/aws-load-balancer-ssl-cert: "arn:aws:acm:..."
    service.beta.kubernetes.io/aws-load-balancer-ssl-ports: "443"
    service.beta.kubernetes.io/aws-load-balancer-proxy-protocol: "*"
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local  # デフォルトはCluster
  sessionAffinity: ClientIP
  sessionAffinityConfig:
    clientIP:
      timeoutSeconds: 10800  # 3時間
  selector:
    app: web
  ports:
  - name: http
    protocol: TCP
    port: 80
    targetPort: 8080
  - name: https
    protocol: TCP
    port: 443
    targetPort: 8443
`;

export const microservices = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
spec:
  replicas: 3
  selector:
    matchLabels:
      app: backend
  template:
    metadata:
      labels:
        app: backend
    spec:
      containers:
      - name: api
        image: my-backend-api:v1
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: backend-api
spec:
  selector:
    app: backend
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
spec:
  replicas: 2
  selector:
    matchLabels:
      app: frontend
  template:
    metadata:
      labels:
        app: frontend
    spec:
      containers:
      - name: web
        image: my-frontend-web:v1
        env:
        - name: BACKEND_URL
          value: "http://backend-api"  # ← DNS名でバックエンドを参照！
        ports:
        - containerPort: 80
`;
